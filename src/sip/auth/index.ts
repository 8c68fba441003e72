export {
  type AuthorizationHeader,
  type DigestChallenge,
  DigestClient,
  type DigestCredentials,
  type DigestRequestInfo,
  parseDigestChallenge,
} from "./digest-client.js";
export {
  type DigestAlgorithm,
  type DigestInput,
  digestHa1,
  digestResponse,
  parseAlgorithm,
} from "./digest-hash.js";
export { type DigestParams, formatDigestParams, parseDigestParams } from "./digest-params.js";
export { DigestServer, type DigestServerOptions, type DigestVerifyResult } from "./digest-server.js";
