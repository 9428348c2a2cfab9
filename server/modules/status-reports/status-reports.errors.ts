import { defineErrors } from '../../http/errors.js'

export const statusReportErrors = defineErrors({
  contractNotFound: [404, 'status_reports.contract_not_found', 'Contract not found'],
  notFound: [404, 'status_reports.not_found', 'Status report not found'],
  forbidden: [403, 'status_reports.forbidden', 'Only the freelancer files status reports'],
  notFixed: [409, 'status_reports.not_fixed_price', 'Status reports are for fixed-price contracts'],
  contractNotActive: [409, 'status_reports.contract_not_active', 'The contract is not active'],
  alreadyFiled: [409, 'status_reports.already_filed', 'A report for this week was already filed'],
  badWeek: [
    400,
    'status_reports.bad_week',
    'weekStart must be a Monday (UTC) of a week that has begun, since the contract started',
  ],
})
