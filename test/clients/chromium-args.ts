// The flags every headless Chromium of the client suite starts with: no sandbox (CI containers), and
// nothing that would reach the network on its own (QUIC, sync, component updates, background fetches).
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
