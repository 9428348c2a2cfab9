export function ContractPage() {
  return <section class="page"><h1>ContractPage</h1></section>
}
