#!/usr/bin/env node
// Committed (not built) so that npm links the command at install time, before the build.
import '../dist/cli/main.js';
