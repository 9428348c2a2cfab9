// The files module's public entry: code outside the module imports only this file.
export { filesModule } from './files.plugin.js'
export { createFilesRepository, findAttachableFiles, type FileRow } from './files.repository.js'
export { toFileDto } from './files.service.js'
