// Loaded with `node --import` before `gridkey serve`: Node is started, then the
// command is held back until a line arrives on stdin. A test can so start the
// next server while the current one runs and restart it without waiting for a
// process to boot. (The CLI is one bundled file, bin/gridkey.js: nothing of it
// can be loaded ahead without running it.)
process.stderr.write('gridkey warm\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
