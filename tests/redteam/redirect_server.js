// redirect_server.js — loopback HTTP server for the red-team egress suite. Prints its port.
//   /redir?<url-encoded Location>  -> 302 to that Location
//   /secret*                        -> "REDTEAM-SECRET-PAGE" (what a refused fetch must never show)
//   anything else                   -> 200 "ok path=<path>"
// Every request is appended to the log file named by argv[2] (one path per line).
const http = require('http');
const fs = require('fs');
const log = process.argv[2];
const srv = http.createServer((req, res) => {
  if (log) fs.appendFileSync(log, req.url + '\n');
  const q = req.url.indexOf('?');
  if (req.url.includes('redir') && q >= 0) {
    res.writeHead(302, { Location: decodeURIComponent(req.url.slice(q + 1)) });
    return res.end();
  }
  if (req.url.startsWith('/secret')) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end('REDTEAM-SECRET-PAGE\n');
  }
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('ok path=' + req.url + '\n');
});
srv.listen(0, '127.0.0.1', () => { console.log(srv.address().port); });
