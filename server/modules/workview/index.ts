// The workview module's public entry: code outside the module imports only this file.
export { workviewModule } from './workview.plugin.js'
export { makeThumbnail } from './workview.images.js'
