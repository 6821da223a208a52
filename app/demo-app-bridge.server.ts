// The demo's stand-in for Shopify's App Bridge (https://shopify.dev/docs/api/app-bridge-library),
// served at /demo/app-bridge.js in demo mode only. It gives a page opened straight in a browser
// what the admin normally provides around the embedded app:
// - `shopify.idToken()`, and every same-origin fetch carrying `Authorization: Bearer <token>` (as
//   App Bridge does for Remix's data requests), with tokens minted by /demo/session-token;
// - the bounce page (`/auth/session-token?shopify-reload=…`) reloading with a fresh `id_token`;
// - `shop`, `host` and `embedded` kept in the address bar, so a reload finds its way back, as the
//   admin rebuilds the iframe's URL on a reload;
// - `shopify.toast.show`, and `<ui-nav-menu>` drawn as a bar at the top instead of the admin's
//   side navigation.
// Plain ES2019 in a string: it is sent to the browser as is, never bundled.
export const APP_BRIDGE_STAND_IN = `(() => {
  "use strict";
  const KEPT = ["embedded", "shop", "host"];
  const current = new URLSearchParams(location.search);
  const kept = {};
  for (const name of KEPT) {
    const value = current.get(name) || sessionStorage.getItem("loyalty-demo:" + name);
    if (value) {
      kept[name] = value;
      sessionStorage.setItem("loyalty-demo:" + name, value);
    }
  }

  let cached = null;
  async function idToken() {
    const now = Date.now() / 1000;
    if (cached && cached.exp - 10 > now) return cached.token;
    const response = await realFetch(
      "/demo/session-token?shop=" + encodeURIComponent(kept.shop || ""),
      { credentials: "same-origin" },
    );
    if (!response.ok) throw new Error("the demo refused a session token: " + response.status);
    const body = await response.json();
    const claims = JSON.parse(atob(body.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    cached = { token: body.token, exp: claims.exp };
    return body.token;
  }

  const realFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).origin !== location.origin || request.headers.has("Authorization"))
      return realFetch(request);
    const send = async (fresh) => {
      if (fresh) cached = null;
      const headers = new Headers(request.headers);
      headers.set("Authorization", "Bearer " + (await idToken()));
      return realFetch(new Request(request.clone(), { headers }));
    };
    const response = await send(false);
    return response.status === 401 &&
      response.headers.has("X-Shopify-Retry-Invalid-Session-Request")
      ? send(true)
      : response;
  };

  const withKept = (url) => {
    if (url === undefined || url === null) return url;
    const target = new URL(String(url), location.href);
    if (target.origin !== location.origin) return url;
    for (const name of KEPT)
      if (kept[name] && !target.searchParams.has(name)) target.searchParams.set(name, kept[name]);
    return target.pathname + target.search + target.hash;
  };
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method].bind(history);
    history[method] = (state, title, url) => original(state, title, withKept(url));
  }
  history.replaceState(history.state, "", location.href);

  const reload = current.get("shopify-reload");
  if (reload) {
    idToken().then((token) => {
      const target = new URL(reload, location.href);
      if (target.origin !== location.origin) return;
      target.searchParams.set("id_token", token);
      location.replace(target.href);
    });
  }

  function toast(message, options) {
    const note = document.createElement("div");
    note.setAttribute("role", "status");
    note.className = "loyalty-demo-toast" + (options && options.isError ? " loyalty-demo-toast--error" : "");
    note.textContent = message;
    document.body.appendChild(note);
    setTimeout(() => note.remove(), (options && options.duration) || 5000);
  }

  const style = document.createElement("style");
  style.textContent = [
    "ui-nav-menu { display: flex; gap: 20px; align-items: center; padding: 12px 24px; background: #1a1a1a; font: 500 14px/20px -apple-system, 'Segoe UI', sans-serif; }",
    "ui-nav-menu a { color: #e3e3e3; text-decoration: none; }",
    "ui-nav-menu a[rel=home] { color: #fff; font-weight: 650; margin-right: 12px; }",
    "ui-nav-menu a:hover { color: #fff; text-decoration: underline; }",
    ".loyalty-demo-toast { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); background: #1a1a1a; color: #fff; padding: 10px 16px; border-radius: 8px; font: 14px -apple-system, 'Segoe UI', sans-serif; z-index: 1000; }",
    ".loyalty-demo-toast--error { background: #8e1f0b; }",
  ].join("\\n");
  document.head.appendChild(style);

  const script = document.currentScript;
  window.shopify = {
    config: { apiKey: script ? script.dataset.apiKey : "", shop: kept.shop, host: kept.host },
    environment: { embedded: false, mobile: false, pos: false },
    idToken,
    toast: { show: toast, hide: () => {} },
    loading: () => {},
  };
})();
`;
