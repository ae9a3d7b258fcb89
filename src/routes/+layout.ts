// Client-rendered PWA: the shell is prerendered, everything else renders in the browser.
export const ssr = false;
export const prerender = true;
