// usersync portal behaviour. No inline scripts anywhere (the CSP forbids them); everything
// here is progressive: the pages work without it, keyboard included.
(function () {
  'use strict';

  function announce(el, text) {
    if (el) el.textContent = text;
  }

  // Copy buttons: <button data-copy-target="input-id">; the status goes to #copy-status.
  function copyFrom(button) {
    var input = document.getElementById(button.getAttribute('data-copy-target'));
    var status = document.getElementById('copy-status');
    if (!input) return;
    var value = input.value;
    var done = function () {
      announce(status, 'Copied to the clipboard.');
    };
    var fallback = function () {
      input.focus();
      input.select();
      try {
        if (document.execCommand('copy')) return done();
      } catch (e) {
        /* fall through */
      }
      announce(status, 'Could not copy automatically: the key is selected, press Ctrl+C (or Cmd+C) to copy it.');
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-copy-target]');
    if (button) copyFrom(button);
  });

  // Selecting the whole key on focus makes a manual copy one keystroke.
  document.addEventListener('focusin', function (event) {
    if (event.target.classList && event.target.classList.contains('secret')) event.target.select();
  });
})();
