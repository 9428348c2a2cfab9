// The workroom export's public entry: code outside the module imports only this file.
export { workroomExportModule } from './workroom-export.plugin.js'
