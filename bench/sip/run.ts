// `npm run bench:sip`: every SIP benchmark in this folder.
import "./parse-bench.js";
import "./call-setup-bench.js";
