package com.diegonmarcos.mailpack.modules.imap;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.IdRange;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.message.response.StatusResponse.ResponseCode;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.MoveRequest;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.UidValidity;

/**
 * RFC 6851 §4.3: the server that answers MOVE with COPYUID sends it in an untagged OK <em>before</em> the
 * EXPUNGEs, so a client acting on them already knows where the messages went. James 3.8.1 puts it in the
 * tagged OK after the EXPUNGEs, with the request's set as source even for a MOVE by sequence numbers
 * (RFC 4315 §3 wants UIDs). This responder holds back the untagged answers of one MOVE until its tagged
 * completion, then sends {@code * OK [COPYUID validity source-uids target-uids] Moved UIDs.}, the held
 * answers, and the tagged OK without the code.
 */
final class MoveCopyUidFirst implements Responder {
    private static final String COPYUID = "COPYUID";
    private static final HumanReadableText MOVED = new HumanReadableText("com.diegonmarcos.mailpack.imap.MOVED_UIDS", "Moved UIDs.");

    private final Responder next;
    private final StatusResponseFactory responses;
    /** The UIDs the request names that the session knows of, ascending: the messages James moves. */
    private final List<Long> sourceUids;
    private final List<ImapResponseMessage> held = new ArrayList<>();
    private boolean released;

    MoveCopyUidFirst(Responder next, MoveRequest request, SelectedMailbox selected, StatusResponseFactory responses) {
        this.next = next;
        this.responses = responses;
        this.sourceUids = sourceUids(request, selected);
    }

    private static List<Long> sourceUids(MoveRequest request, SelectedMailbox selected) {
        long exists = selected.existsCount();
        long lastUid = selected.getLastUid().map(MessageUid::asLong).orElse(0L);
        List<Long> uids = new ArrayList<>();
        for (int msn = 1; msn <= exists; msn++) {
            int number = msn;
            selected.uid(msn).map(MessageUid::asLong).ifPresent(uid -> {
                long key = request.isUseUids() ? uid : number;
                if (named(request.getIdSet(), key, request.isUseUids() ? lastUid : exists)) {
                    uids.add(uid);
                }
            });
        }
        return uids;
    }

    /** Whether {@code key} is in {@code ranges}, where {@code *} (Long.MAX_VALUE) stands for {@code largest}. */
    private static boolean named(IdRange[] ranges, long key, long largest) {
        for (IdRange range : ranges) {
            long low = range.getLowVal() == Long.MAX_VALUE ? largest : range.getLowVal();
            long high = range.getHighVal() == Long.MAX_VALUE ? largest : range.getHighVal();
            if (key >= Math.min(low, high) && key <= Math.max(low, high)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized void respond(ImapResponseMessage message) {
        if (released) {
            next.respond(message);
            return;
        }
        if (!(message instanceof StatusResponse) || ((StatusResponse) message).getTag() == null) {
            held.add(message);
            return;
        }
        StatusResponse tagged = (StatusResponse) message;
        ResponseCode code = tagged.getResponseCode();
        if (tagged.getServerResponseType() == StatusResponse.Type.OK && code != null && COPYUID.equals(code.getCode())) {
            next.respond(responses.untaggedOk(MOVED, copyUid(code)));
            release();
            next.respond(responses.taggedOk(tagged.getTag(), tagged.getCommand(), tagged.getTextKey()));
        } else {
            release();
            next.respond(message);
        }
    }

    /** James' code with the source set in UIDs, when they are as many as the target UIDs it names. */
    private ResponseCode copyUid(ResponseCode james) {
        List<String> parameters = new ArrayList<>(james.getParameters());
        IdRange[] target = parse(parameters.get(1));
        long targetCount = 0;
        for (IdRange range : target) {
            targetCount += range.getHighVal() - range.getLowVal() + 1;
        }
        if (targetCount != sourceUids.size()) {
            return james;
        }
        List<IdRange> source = new ArrayList<>();
        sourceUids.forEach(uid -> source.add(new IdRange(uid)));
        return ResponseCode.copyUid(UidValidity.of(james.getNumber()), IdRange.mergeRanges(source).toArray(IdRange[]::new), target);
    }

    private static IdRange[] parse(String set) {
        List<IdRange> ranges = new ArrayList<>();
        for (String part : set.split(",")) {
            String[] bounds = part.split(":");
            ranges.add(new IdRange(Long.parseLong(bounds[0]), Long.parseLong(bounds[bounds.length - 1])));
        }
        return ranges.toArray(IdRange[]::new);
    }

    /** Sends what was held (also when the command ended without a tagged answer). */
    synchronized void release() {
        if (!released) {
            released = true;
            held.forEach(next::respond);
            held.clear();
        }
    }

    @Override
    public void flush() {
        if (released) {
            next.flush();
        }
    }
}
