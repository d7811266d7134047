// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    // Show only the sections that apply to the choices made: the identity
    // section of the reporter type, a complaint's request and (for a
    // citizen) employment; a complaint cannot be anonymous. Without this
    // script every section shows, with a note saying when it applies, and
    // the server drops what does not apply.
    var form = document.getElementById("report-form");
    if (form) {
      var citizen = document.getElementById("citizen-section");
      var org = document.getElementById("org-section");
      var complaint = document.getElementById("complaint-section");
      var employment = form.querySelectorAll('[data-show-when="citizen-complaint"]');
      var anonYes = form.querySelector('input[name="anonymous"][value="true"]');
      var anonNo = form.querySelector('input[name="anonymous"][value="false"]');
      var anonChoice = document.getElementById("anonymous-choice");
      var anonHint = document.getElementById("h-anonymous");
      var idType = document.getElementById("reporter.idType");
      var idHint = document.getElementById("h-reporter.idNumber");
      var sync = function () {
        var kind = (form.querySelector('input[name="kind"]:checked') || {}).value;
        var type = (form.querySelector('input[name="reporterType"]:checked') || {}).value;
        var isComplaint = kind === "complaint";
        if (isComplaint && anonYes.checked) {
          anonNo.checked = true;
        }
        anonYes.disabled = isComplaint;
        anonChoice.classList.toggle("disabled", isComplaint);
        anonHint.textContent = isComplaint ? "投诉须实名，匿名只适用于举报。" : "匿名只适用于举报；投诉须实名。";
        var anon = anonYes.checked;
        citizen.hidden = anon || type !== "citizen";
        org.hidden = anon || (type !== "employer" && type !== "organization");
        complaint.hidden = !isComplaint;
        Array.prototype.forEach.call(employment, function (e) { e.hidden = type !== "citizen"; });
        var opt = idType.options[idType.selectedIndex];
        if (opt && opt.getAttribute("data-format")) {
          idHint.textContent = opt.text + "号码：" + opt.getAttribute("data-format") + "。";
        }
      };
      form.addEventListener("change", sync);
      sync();
    }
    // Live character counters for long text.
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-counter]"), function (ta) {
      var out = document.getElementById(ta.getAttribute("data-counter"));
      var max = parseInt(ta.getAttribute("maxlength"), 10) || 0;
      var update = function () {
        var n = Array.from(ta.value).length;
        out.textContent = "已输入 " + n + " 字" + (max ? "，最多 " + max + " 字" : "");
      };
      ta.addEventListener("input", update);
      update();
    });
    // Disable a submit button once clicked, so a double-click sends one form
    // (the server also ignores a repeat, with the form's idempotency token).
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (f) {
      f.addEventListener("submit", function () {
        var b = f.querySelector("button[data-once]");
        if (b) {
          b.setAttribute("data-label", b.textContent);
          setTimeout(function () { b.disabled = true; b.textContent = "正在提交…"; }, 0);
        }
      });
    });
    // Coming back with the browser's Back button restores the page from cache
    // with the button still disabled: enable it again.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(document.querySelectorAll("button[data-once][disabled]"), function (b) {
        b.disabled = false;
        b.textContent = b.getAttribute("data-label") || b.textContent;
      });
    });
    // A print button for the receipt, shown only where it can work.
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
    // Copy the access code: the Clipboard API where the page may use it
    // (https or localhost), else the older copy command on a hidden text
    // area, else select the code so the reader can copy it themselves.
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (b) {
      var source = document.getElementById(b.getAttribute("data-copy"));
      var status = document.getElementById(b.getAttribute("data-copy-status"));
      if (!source) { return; }
      var say = function (msg) { if (status) { status.textContent = msg; } };
      var text = function () { return source.textContent.replace(/[\s\u200b]/g, ""); };
      var selectCode = function () {
        var range = document.createRange();
        range.selectNodeContents(source);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        say("已选中查询码，请长按或按 Ctrl+C 复制。");
      };
      var fallback = function () {
        var ta = document.createElement("textarea");
        ta.value = text();
        ta.setAttribute("readonly", "");
        ta.style.position = "fixed";
        ta.style.top = "-1000px";
        document.body.appendChild(ta);
        ta.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        document.body.removeChild(ta);
        if (ok) { say("已复制查询码。"); } else { selectCode(); }
      };
      b.hidden = false;
      b.addEventListener("click", function () {
        say("");
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text()).then(function () { say("已复制查询码。"); }, fallback);
        } else {
          fallback();
        }
      });
    });
    // Show or hide what is typed into the access-code field. The field is
    // plain text without JavaScript: a 24-character code typed blind on a
    // phone goes wrong too easily.
    Array.prototype.forEach.call(document.querySelectorAll("[data-reveal]"), function (b) {
      var input = document.getElementById(b.getAttribute("data-reveal"));
      if (!input) { return; }
      b.hidden = false;
      b.addEventListener("click", function () {
        var hide = input.type === "text";
        input.type = hide ? "password" : "text";
        b.textContent = hide ? "显示" : "隐藏";
      });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
