import { defineErrors } from '../../http/errors.js'

export const fileErrors = defineErrors({
  notFound: [404, 'files.not_found', 'File not found'],
  threadNotFound: [404, 'files.thread_not_found', 'Thread not found'],
  multipartRequired: [415, 'files.multipart_required', 'Upload the file as multipart/form-data'],
  noFile: [400, 'files.no_file', 'The request holds no file part'],
  badField: [400, 'files.bad_field', 'Unknown or malformed form field'],
  scopeRequired: [
    400,
    'files.scope_required',
    'Say who may see the file: a `threadId` field (that thread only) or `scope=workroom` (every member), before the file part',
  ],
  scopeForbidden: [403, 'files.scope_forbidden', 'Only the client can share a file with the whole workroom'],
  tooLarge: [413, 'files.too_large', 'The file is larger than the upload limit'],
  quotaExceeded: [413, 'files.quota_exceeded', 'The workroom’s storage quota is used up'],
  uploadFailed: [400, 'files.upload_failed', 'The upload was interrupted or malformed'],
  deleteForbidden: [403, 'files.delete_forbidden', 'Only the uploader or the client can delete this file'],
})
