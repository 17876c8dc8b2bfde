'use strict';
// The baseline: a bare Node http server that reads and parses the same JSON body and
// answers a fixed JSON, to see how close the service comes to what Node itself allows.
const http = require('http');

const reply = JSON.stringify({ id: '0123456789abcdef0123456789abcdef', user_id: 'u1', active: true });
http.createServer((req, res) => {
    const chunks = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
        try {
            JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
            res.writeHead(400);
            res.end();
            return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(reply) });
        res.end(reply);
    });
}).listen(Number(process.env.HTTP_PORT), '127.0.0.1');
