// Passkeys (WebAuthn): register one from « Sécurité du compte », log in with one from the login
// page. Buttons carry data-passkey="register" or "login"; the server checks everything.
(() => {
  if (!window.PublicKeyCredential) return;
  const toBytes = (value) => {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const text = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(text, (c) => c.charCodeAt(0)).buffer;
  };
  const toText = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const token = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const post = async (url, body) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token() },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    });
    return { ok: response.ok, data: await response.json() };
  };
  const say = (button, text) => {
    const status = document.getElementById(button.dataset.status);
    if (status) status.textContent = text;
  };
  const credentialJSON = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    return {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type, response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment,
    };
  };
  const register = async (button) => {
    const options = (await post(button.dataset.options)).data;
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = (options.excludeCredentials || []).map(
      (c) => ({ ...c, id: toBytes(c.id) }));
    const credential = await navigator.credentials.create({ publicKey: options });
    const name = document.getElementById(button.dataset.name);
    return post(button.dataset.url, {
      credential: credentialJSON(credential), name: name ? name.value : "",
    });
  };
  const logIn = async (button) => {
    const options = (await post(button.dataset.options)).data;
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = (options.allowCredentials || []).map(
      (c) => ({ ...c, id: toBytes(c.id) }));
    const credential = await navigator.credentials.get({ publicKey: options });
    return post(button.dataset.url, {
      credential: credentialJSON(credential), next: button.dataset.next || "",
    });
  };
  document.querySelectorAll("[data-passkey]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", async (event) => {
      event.preventDefault();
      try {
        const result = await (button.dataset.passkey === "register" ? register : logIn)(button);
        if (result.ok) window.location.assign(result.data.next);
        else say(button, result.data.error);
      } catch (error) {
        say(button, button.dataset.cancelled);
      }
    });
  });
})();
