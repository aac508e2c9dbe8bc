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

  // Dates: the server writes every <time datetime="ISO"> in the portal's zone with the zone named
  // (3 Dec 2026, 14:05 UTC). Here they are rewritten in the browser's own zone, same shape, with the
  // server's text kept as the tooltip. Only full timestamps are touched; the format mirrors
  // web/src/viewmodels/times.ts.
  var dateFormat, zoneFormat;
  try {
    dateFormat = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    zoneFormat = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  } catch (e) {
    dateFormat = undefined;
  }

  function localText(date, withSeconds) {
    var p = {};
    dateFormat.formatToParts(date).forEach(function (x) {
      p[x.type] = x.value;
    });
    var tz = '';
    zoneFormat.formatToParts(date).forEach(function (x) {
      if (x.type === 'timeZoneName') tz = x.value;
    });
    var seconds = withSeconds ? ':' + String(date.getSeconds()).padStart(2, '0') : '';
    return p.day + ' ' + p.month + ' ' + p.year + ', ' + p.hour + ':' + p.minute + seconds + ' ' + tz;
  }

  // The server's own shape: "3 Dec 2026, 14:05 UTC" or with seconds; anything else (a day, "2 h ago") stays.
  var SERVER_SHAPE = /^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2}(:\d{2})? \S+$/;

  function localiseTimes(root) {
    if (!dateFormat || !root.querySelectorAll) return;
    var times = root.querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var iso = el.getAttribute('datetime');
      var text = el.textContent.trim();
      if (iso.indexOf('T') < 0 || !SERVER_SHAPE.test(text)) continue;
      var date = new Date(iso);
      if (isNaN(date.getTime())) continue;
      if (!el.hasAttribute('title')) el.setAttribute('title', text);
      el.textContent = localText(date, /:\d{2}:\d{2} /.test(text));
    }
  }

  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }
  ready(function () {
    localiseTimes(document);
  });
  // Fragments htmx swaps in (progress, log and plan pages) get the same treatment.
  document.addEventListener('htmx:load', function (event) {
    localiseTimes(event.target);
  });
})();
