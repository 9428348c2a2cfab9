// The workrooms module's public entry: code outside the module imports only this file.
// A workroom, its members and their private threads; every module asks it who may see what.
export { admitFreelancer, createWorkroom, getMembership, type Membership } from './workrooms.access.js'
export { workroomErrors } from './workrooms.errors.js'
export { createWorkroomsRepository } from './workrooms.repository.js'
