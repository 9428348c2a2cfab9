import { render } from 'preact'
import { App } from './app.js'
// One stylesheet per part of the app, in cascade order (later files may refine earlier ones).
import './styles/base.css'
import './styles/forms.css'
import './styles/surfaces.css'
import './styles/search-tabs.css'
import './styles/messages.css'
import './styles/terms.css'
import './styles/workview-tracker.css'
import './styles/invoices.css'
import './styles/dialog.css'
import './styles/people.css'
import './styles/notifications.css'

render(<App />, document.getElementById('app')!)
