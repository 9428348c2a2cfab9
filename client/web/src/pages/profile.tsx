export function ProfilePage() {
  return <section class="page"><h1>Profile</h1></section>
}
export function SettingsPage() {
  return <section class="page"><h1>Settings</h1></section>
}
