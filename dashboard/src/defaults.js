// The node the page connects to unless told otherwise (`?ws=`); serve.js prints it too.
export const DEFAULT_WS = 'ws://127.0.0.1:9944';
