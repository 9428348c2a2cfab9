// The workroom hub's public entry: code outside the module imports only this file.
export { workroomHubModule } from './workroom-hub.plugin.js'
