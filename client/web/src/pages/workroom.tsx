export function WorkroomPage() {
  return <section class="page"><h1>WorkroomPage</h1></section>
}
