// allauth's passkey script reports a failed or cancelled browser prompt only as an
// "allauth.error" event (and to the console): show the page's message instead.
document.addEventListener('allauth.error', function (event) {
  const message = document.querySelector('[data-passkey-error]')
  if (!message) return
  event.preventDefault()
  message.hidden = false
})
