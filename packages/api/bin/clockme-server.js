#!/usr/bin/env node
// Committed so npm links the bin before `prepare` has built dist/.
import "../dist/bin.js"
