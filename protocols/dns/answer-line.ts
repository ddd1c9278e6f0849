/**
 * The response line of a DNS exchange record, on both sides: the rcode and the answer data
 * itself (`NOERROR A 127.0.0.1, A 127.0.0.2`), bounded so a record stays one readable line.
 * @module
 */

/** Longest answer text in a response line. */
export const MAX_SUMMARY_LENGTH = 100;

/** One answer record as presented: its type and RDATA text. */
export interface AnswerItem {
  readonly type: string;
  readonly text: string;
}

/** "NOERROR A 127.0.0.1, A 127.0.0.2", "NOERROR referral to child.test", "NOERROR 0 answers", "NXDOMAIN", "... TC". */
export function answerLine(
  rcode: string,
  answers: readonly AnswerItem[],
  truncated = false,
  referralTo?: string,
): string {
  let text = rcode;
  if (answers.length > 0) {
    const shown: string[] = [];
    let length = 0;
    let i = 0;
    for (; i < answers.length; i++) {
      const a = answers[i] as AnswerItem;
      const item = `${a.type} ${a.text}`;
      if (shown.length > 0 && length + item.length > MAX_SUMMARY_LENGTH) break;
      shown.push(item.length > MAX_SUMMARY_LENGTH ? `${item.slice(0, MAX_SUMMARY_LENGTH - 5)}…` : item);
      length += item.length + 2;
    }
    text += ` ${shown.join(', ')}${i < answers.length ? ` (+${answers.length - i} more)` : ''}`;
  } else if (referralTo !== undefined) text += ` referral to ${referralTo}`;
  else if (rcode === 'NOERROR') text += ' 0 answers';
  return truncated ? `${text} TC` : text;
}
