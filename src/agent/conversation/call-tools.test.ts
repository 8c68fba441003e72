import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolveTransferTarget, uriHost } from "./call-tools.js";
import { KnowledgeBase } from "./knowledge-base.js";

describe("transfer targets", () => {
  test("names, SIP URIs, numbers and extensions resolve; anything else does not", () => {
    const targets = { operator: "sip:op@pbx.example.com", sales: "1002" };
    const remote = "sip:+15551234@sip.example.net:5060;transport=udp";
    assert.equal(uriHost(remote), "sip.example.net:5060");
    assert.equal(resolveTransferTarget("operator", targets, remote), "sip:op@pbx.example.com");
    assert.equal(resolveTransferTarget("Operator", targets, remote), "sip:op@pbx.example.com");
    assert.equal(resolveTransferTarget("sales", targets, remote), "sip:1002@sip.example.net:5060");
    assert.equal(
      resolveTransferTarget("+1 (555) 000-1111", targets, remote),
      "sip:+15550001111@sip.example.net:5060",
    );
    assert.equal(resolveTransferTarget("sips:bob@host", targets, remote), "sips:bob@host");
    assert.equal(resolveTransferTarget("the manager", targets, remote), undefined);
  });
});

describe("knowledge base", () => {
  test("YAML list, YAML map and markdown all parse; lookup picks the best keyword match", () => {
    const yaml = KnowledgeBase.parse(
      "- q: What are your opening hours?\n  a: Nine to five.\n- q: Do you have parking?\n  a: Yes, behind the building.\n",
      "yaml",
    );
    assert.equal(yaml.entries.length, 2);
    assert.equal(yaml.lookup("is there parking nearby")?.answer, "Yes, behind the building.");
    assert.equal(yaml.lookup("when are you open, what hours")?.answer, "Nine to five.");
    assert.equal(yaml.lookup("the weather"), undefined);
    const map = KnowledgeBase.parse("Where are you?: 100 Main Street\n", "yaml");
    assert.equal(map.lookup("where is your office")?.answer, undefined, "only stop words and 'office'");
    assert.equal(map.entries[0]?.answer, "100 Main Street");
    const md = KnowledgeBase.parse(
      "# FAQ\n\n## Do you ship abroad?\nWe ship to Europe\nand Canada.\n\n## Refund policy\nThirty days.\n",
      "markdown",
    );
    assert.equal(md.lookup("can you ship to canada")?.answer, "We ship to Europe and Canada.");
    assert.equal(md.lookup("refund")?.answer, "Thirty days.");
  });
});
