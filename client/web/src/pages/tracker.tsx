export function TrackerPage() {
  return <section class="page"><h1>TrackerPage</h1></section>
}
