// One file per domain; each module's repository imports its tables from here.
export * from './accounts.js'
export * from './scheduler.js'
export * from './workrooms.js'
export * from './contracts.js'
export * from './hourly.js'
export * from './files.js'
export * from './messages.js'
