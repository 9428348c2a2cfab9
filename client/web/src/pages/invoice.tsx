export function InvoicePage() {
  return <section class="page"><h1>InvoicePage</h1></section>
}
