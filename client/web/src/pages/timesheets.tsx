export function TimesheetsPage() {
  return <section class="page"><h1>TimesheetsPage</h1></section>
}
