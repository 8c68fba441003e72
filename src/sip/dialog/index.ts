export {
  Dialog,
  type DialogId,
  type DialogInit,
  type DialogState,
  dialogIdOfRequest,
  dialogKey,
  initialCSeq,
  type RemoteCSeqCheck,
} from "./dialog.js";
export { DialogTable } from "./dialog-table.js";
export { glareRetryDelayMs } from "./glare-timer.js";
