/**
 * The console's only script (served as /assets/console.<hash>.js, same origin: the
 * Content-Security-Policy allows no inline script). Progressive: every page works without it.
 * - The review form shows the end date only for an exception.
 * - A print button prints the report.
 */
export const CONSOLE_JS = String.raw`'use strict';
(function () {
  var form = document.querySelector('form.review');
  if (form) {
    var until = form.querySelector('.until');
    var sync = function () {
      var picked = form.querySelector('input[name="state"]:checked');
      if (until) until.hidden = !(picked && picked.value === 'exception');
    };
    form.addEventListener('change', sync);
    sync();
  }
  var print = document.querySelector('[data-print]');
  if (print) print.addEventListener('click', function () { window.print(); });
})();
`;
