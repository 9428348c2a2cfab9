export function OperatorPage() {
  return <section class="page"><h1>OperatorPage</h1></section>
}
