export function WalletPage() {
  return <section class="page"><h1>WalletPage</h1></section>
}
