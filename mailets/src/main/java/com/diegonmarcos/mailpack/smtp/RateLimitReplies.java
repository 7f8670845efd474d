package com.diegonmarcos.mailpack.smtp;

import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

import com.diegonmarcos.mailpack.ratelimit.Limit;

/** The temporary failures of the rate-limit hooks: {@code 451 4.7.1} and the limit in words. */
final class RateLimitReplies {
    private RateLimitReplies() {
    }

    static HookResult limited(Limit limit, String whose) {
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.denySoft())
            .smtpReturnCode("451")
            .smtpDescription("4.7.1"
                + " Rate limit reached: at most " + limit.describe() + " " + whose + ", try again later")
            .build();
    }

    static HookResult storeUnavailable() {
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.denySoft())
            .smtpReturnCode("451")
            .smtpDescription(DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.SYSTEM_OTHER)
                + " Temporary failure checking rate limits, try again later")
            .build();
    }
}
