(function () {
  var root = document.getElementById("invo-checkout");
  var framed = false;
  try { framed = window.parent && window.parent !== window; } catch (e) { framed = true; }
  var result = document.getElementById("invo-result");
  function buttons(disabled) {
    document.getElementById("invo-pay").disabled = disabled;
    document.getElementById("invo-cancel").disabled = disabled;
  }
  function finish(body) {
    var message = {
      type: "INVO_CHECKOUT_COMPLETE",
      data: {
        status: body.status,
        transaction_id: body.transaction_id,
        currency_received: body.currency_received,
        new_balance: body.new_balance,
        currency_name: body.currency_name
      }
    };
    result.textContent = body.status === "success"
      ? "Payment complete: +" + body.currency_received + " " + body.currency_name
      : "Checkout cancelled";
    root.setAttribute("data-status", body.status);
    try {
      var wk = window.webkit && window.webkit.messageHandlers &&
        window.webkit.messageHandlers.INVO_CHECKOUT;
      if (wk) { wk.postMessage(message); }
    } catch (e) {}
    try {
      if (window.InvoBridge && window.InvoBridge.onComplete) {
        window.InvoBridge.onComplete(JSON.stringify(message.data));
      }
    } catch (e) {}
    if (framed) {
      window.parent.postMessage(message, "*");
    } else if (body.redirect_url) {
      window.location.assign(body.redirect_url);
    }
  }
  function submit(event) {
    event.preventDefault();
    var form = event.target;
    buttons(true);
    result.textContent = "Processing...";
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: "{}"
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      if (answer.ok) { finish(answer.body); }
      else {
        result.textContent = (answer.body && answer.body.error) || "Checkout failed";
        root.setAttribute("data-status", "error");
      }
    }).catch(function () {
      result.textContent = "Network error, please retry";
      buttons(false);
    });
  }
  document.getElementById("invo-pay-form").addEventListener("submit", submit);
  document.getElementById("invo-cancel-form").addEventListener("submit", submit);
})();
