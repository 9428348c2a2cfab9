export function WorkViewPage() {
  return <section class="page"><h1>WorkViewPage</h1></section>
}
