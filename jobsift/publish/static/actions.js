// jobsift: the workflow forms without a page reload. Without JavaScript the same forms POST and
// come back with a 303; with it, the form is posted with fetch and the actions are re-rendered in place.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("act")) { return; }
    event.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    var button = event.submitter;
    if (button && button.name) { data.set(button.name, button.value); }
    var box = form.closest(".wf");
    // form.action would be the buttons named "action": read the attribute
    fetch(form.getAttribute("action"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (r) {
      return r.json().then(function (body) { return {status: r.status, body: body}; });
    }).then(function (res) {
      if (!res.body.ok) {
        var msg = document.createElement("p");
        msg.className = "problems";
        msg.textContent = res.body.message;
        box.appendChild(msg);
        return;
      }
      var card = box.closest("li.job");
      if (data.get("action") === "hide" && card) {
        card.remove();
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = res.body.html;
      box.replaceWith(holder.firstElementChild);
    });
  });
})();
