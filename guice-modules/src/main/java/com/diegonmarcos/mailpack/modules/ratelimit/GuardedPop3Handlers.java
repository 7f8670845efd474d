package com.diegonmarcos.mailpack.modules.ratelimit;

import java.util.List;

import org.apache.james.pop3server.core.CoreCmdHandlerLoader;
import org.apache.james.pop3server.core.PassCmdHandler;
import org.apache.james.protocols.lib.handler.HandlersPackage;

/**
 * James' core POP3 handlers ({@link CoreCmdHandlerLoader}) with {@link GuardedPassCmdHandler} in place of
 * {@link PassCmdHandler}. In {@code pop3server.xml}:
 * {@code <handlerchain coreHandlersPackage="com.diegonmarcos.mailpack.modules.ratelimit.GuardedPop3Handlers"/>}
 * (James always loads a core package; naming this one keeps a single PASS handler).
 */
public class GuardedPop3Handlers implements HandlersPackage {
    private final List<String> handlers;

    public GuardedPop3Handlers() {
        List<String> core = new CoreCmdHandlerLoader().getHandlers();
        if (!core.contains(PassCmdHandler.class.getName())) {
            throw new IllegalStateException("James' POP3 core handlers no longer include " + PassCmdHandler.class.getName());
        }
        this.handlers = core.stream()
            .map(name -> name.equals(PassCmdHandler.class.getName()) ? GuardedPassCmdHandler.class.getName() : name)
            .collect(java.util.stream.Collectors.toUnmodifiableList());
    }

    @Override
    public List<String> getHandlers() {
        return handlers;
    }
}
