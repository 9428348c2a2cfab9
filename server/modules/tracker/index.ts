// The tracker module's public entry: code outside the module imports only this file.
export { trackerModule } from './tracker.plugin.js'
export { amountFor, type WeekTotals } from './tracker.billing.js'
export { contractFor, findContract, type ContractRole, type HourlyContract } from './tracker.contracts.js'
export type { LivePublisher, WeekChanged } from './tracker.live.js'
export { Totals } from './tracker.schemas.js'
export {
  assertTracking,
  AUTO_SUBMIT_KIND,
  loadWeek,
  lockWeekForWrite,
  outsideContract,
  weekTotals,
} from './tracker.service.js'
export {
  isAligned,
  isoWeekLabel,
  reviewDeadlineOf,
  SEGMENT_MS,
  submitDeadlineOf,
  submitDueOf,
  WEEK_MS,
  weekStartOf,
} from './tracker.week.js'
