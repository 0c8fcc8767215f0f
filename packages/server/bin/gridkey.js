#!/usr/bin/env node
// Committed (not built) so that npm links the command at install time, before the build.
// It runs the CLI bundled into one file (scripts/bundle-cli.mjs): the same code as
// dist/cli/main.js, started in well under half the CPU.
import '../dist/cli/gridkey.bundle.js';
