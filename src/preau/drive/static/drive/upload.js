// Sends the files of the drive's upload form with a progress bar. Without this script the form
// posts as usual; the server checks everything again.
(function () {
  "use strict";

  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var progressBox = form.querySelector("[data-progress]");
    var bar = progressBox.querySelector("progress");
    var error = form.querySelector("[data-error]");
    var button = form.querySelector("button[type=submit]");

    function fail(text) {
      error.textContent = text;
      error.hidden = false;
      progressBox.hidden = true;
      button.disabled = false;
    }

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !input.files.length) return;
      event.preventDefault();
      error.hidden = true;
      var maxBytes = Number(form.dataset.maxBytes);
      var remaining = Number(form.dataset.remaining);
      var total = 0;
      for (var i = 0; i < input.files.length; i++) {
        var file = input.files[i];
        if (file.size > maxBytes) {
          fail("« " + file.name + " » " + form.dataset.tooBig);
          return;
        }
        total += file.size;
      }
      if (total > remaining) {
        fail(form.dataset.overQuota);
        return;
      }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (token) request.setRequestHeader("X-CSRFToken", token.value);
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.value = Math.round((100 * progress.loaded) / progress.total);
        }
      });
      request.addEventListener("load", function () {
        var answer = null;
        try {
          answer = JSON.parse(request.responseText);
        } catch (ignored) {
          answer = null;
        }
        if (request.status === 200 && answer && answer.redirect) {
          window.location.assign(answer.redirect);
        } else {
          fail(form.dataset.failed);
        }
      });
      request.addEventListener("error", function () {
        fail(form.dataset.failed);
      });
      bar.value = 0;
      progressBox.hidden = false;
      button.disabled = true;
      request.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-drive-upload]").forEach(setup);
})();
