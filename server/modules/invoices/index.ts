// The invoices module's public entry: code outside the module imports only this file.
export { invoicesModule } from './invoices.plugin.js'
export { createInvoicesRepository, type InvoiceRow } from './invoices.repository.js'
export { formatInvoiceNumber, type InvoicesService } from './invoices.service.js'
