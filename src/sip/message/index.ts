export type { CSeq } from "./cseq-header.js";
export { formatCSeq, parseCSeq } from "./cseq-header.js";
export { canonicalHeaderName, headerKey } from "./header-names.js";
export type { Param } from "./header-scan.js";
export { getParam, quote, splitCommaList, unquote, withParam } from "./header-scan.js";
export { createInDialogRequest, type InDialogRequestParts } from "./in-dialog-builder.js";
export * from "./message-accessors.js";
export * from "./message-builders.js";
export { type ParseOptions, parseMessage } from "./message-parser.js";
export { serializeHead, serializeMessage } from "./message-serializer.js";
export * from "./message-validate.js";
export type { NameAddr } from "./name-addr.js";
export { formatNameAddr, nameAddrTag, parseNameAddr, withTag } from "./name-addr.js";
export { reasonPhrase } from "./reason-phrases.js";
export { type HeaderField, SipHeaders } from "./sip-headers.js";
export type * from "./sip-message.js";
export type { OtherUri, SipUri, TelUri, Uri, UriHeader } from "./sip-uri.js";
export { formatHost, formatUri, parseUri, sipUri, uriParam } from "./sip-uri.js";
export type { Via } from "./via-header.js";
export {
  branchMagicCookie,
  formatVia,
  getViaRport,
  makeBranch,
  parseVia,
  viaBranch,
  viaSentBy,
  withViaParam,
} from "./via-header.js";
