// The signed message goes to the tool in a form post (the OIDC form_post response mode): sent
// at once when scripts run, by the button otherwise.
(() => {
  const form = document.querySelector("form.lti-autopost");
  if (form) form.submit();
})();
