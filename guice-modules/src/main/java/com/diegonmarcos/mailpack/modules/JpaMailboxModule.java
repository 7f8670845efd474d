package com.diegonmarcos.mailpack.modules;

import java.io.File;
import java.io.IOException;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.adapter.mailbox.ACLUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.MailboxUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.QuotaUsernameChangeTaskStep;
import org.apache.james.events.EventListener;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.indexer.ReIndexer;
import org.apache.james.mailbox.jpa.JPAAttachmentContentLoader;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.jpa.openjpa.OpenJPAMailboxManager;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaDAO;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaManager;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.apache.james.mailbox.quota.MaxQuotaManager;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootDeserializer;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.quota.UserQuotaRootResolver;
import org.apache.james.mailbox.store.JVMMailboxPathLocker;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.event.MailboxAnnotationListener;
import org.apache.james.mailbox.store.mail.MailboxMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapperFactory;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.mail.model.DefaultMessageId;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.ListeningCurrentQuotaUpdater;
import org.apache.james.mailbox.store.quota.QuotaUpdater;
import org.apache.james.mailbox.store.quota.StoreQuotaManager;
import org.apache.james.mailbox.store.search.ListeningMessageSearchIndex;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.user.SubscriptionMapperFactory;
import org.apache.mailbox.tools.indexer.ReIndexerImpl;
import org.apache.james.modules.mailbox.ReIndexingTaskSerializationModule;
import org.apache.james.quota.search.QuotaSearcher;
import org.apache.james.quota.search.scanning.ScanningQuotaSearcher;
import org.apache.james.user.api.UsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.UserRepositoryAuthenticator;
import org.apache.james.adapter.mailbox.UserRepositoryAuthorizator;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.MailboxManagerDefinition;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import com.diegonmarcos.mailpack.modules.jpa.CachedJpaCurrentQuotaManager;
import com.diegonmarcos.mailpack.modules.jpa.CachingJpaMaxQuotaDAO;
import com.diegonmarcos.mailpack.modules.jpa.FileBodyMailboxManager;
import com.diegonmarcos.mailpack.modules.jpa.OneTransactionMapperFactory;
import com.diegonmarcos.mailpack.modules.jpa.UnseenMessagesIndex;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.name.Names;

/**
 * Mailboxes in the relational database (OpenJPA), quotas in the same database, full-text search in
 * a Lucene index under {@code var/store/lucene}.
 */
public class JpaMailboxModule extends AbstractModule {
    static final String LUCENE_DIRECTORY = "file://var/store/lucene";

    @Override
    protected void configure() {
        bindMailboxStore();
        bindQuotas();
        bindSearch();

        Multibinder<UsernameChangeTaskStep> usernameChange = Multibinder.newSetBinder(binder(), UsernameChangeTaskStep.class);
        usernameChange.addBinding().to(MailboxUsernameChangeTaskStep.class);
        usernameChange.addBinding().to(ACLUsernameChangeTaskStep.class);
        usernameChange.addBinding().to(QuotaUsernameChangeTaskStep.class);
    }

    private void bindMailboxStore() {
        // James' mappers, with a message appended in one transaction (UID, mod-sequence and message)
        bind(OneTransactionMapperFactory.class).in(Scopes.SINGLETON);
        bind(JPAMailboxSessionMapperFactory.class).to(OneTransactionMapperFactory.class);
        bind(MailboxSessionMapperFactory.class).to(JPAMailboxSessionMapperFactory.class);
        bind(MessageMapperFactory.class).to(JPAMailboxSessionMapperFactory.class);
        bind(MailboxMapperFactory.class).to(JPAMailboxSessionMapperFactory.class);
        bind(SubscriptionMapperFactory.class).to(JPAMailboxSessionMapperFactory.class);

        // big message bodies streamed to files (var/store/bodies), not held in the heap and in Derby
        bind(FileBodyMailboxManager.class).in(Scopes.SINGLETON);
        bind(OpenJPAMailboxManager.class).to(FileBodyMailboxManager.class);
        bind(MailboxManager.class).to(OpenJPAMailboxManager.class);
        bind(StoreMailboxManager.class).to(OpenJPAMailboxManager.class);
        bind(MailboxManager.class).annotatedWith(Names.named("mailboxmanager")).to(MailboxManager.class);
        bind(MailboxManagerConfiguration.class).toInstance(MailboxManagerConfiguration.DEFAULT);
        Multibinder.newSetBinder(binder(), MailboxManagerDefinition.class).addBinding().to(JpaMailboxManagerDefinition.class);

        bind(ModSeqProvider.class).to(JPAModSeqProvider.class).in(Scopes.SINGLETON);
        bind(UidProvider.class).to(JPAUidProvider.class).in(Scopes.SINGLETON);
        bind(MailboxId.Factory.class).to(JPAId.Factory.class).in(Scopes.SINGLETON);
        bind(MessageId.Factory.class).to(DefaultMessageId.Factory.class).in(Scopes.SINGLETON);
        bind(ThreadIdGuessingAlgorithm.class).to(NaiveThreadIdGuessingAlgorithm.class).in(Scopes.SINGLETON);
        bind(AttachmentContentLoader.class).to(JPAAttachmentContentLoader.class);

        bind(SubscriptionManager.class).to(StoreSubscriptionManager.class).in(Scopes.SINGLETON);
        bind(MailboxPathLocker.class).to(JVMMailboxPathLocker.class).in(Scopes.SINGLETON);
        bind(SessionProvider.class).to(SessionProviderImpl.class).in(Scopes.SINGLETON);
        bind(Authenticator.class).to(UserRepositoryAuthenticator.class).in(Scopes.SINGLETON);
        bind(Authorizator.class).to(UserRepositoryAuthorizator.class).in(Scopes.SINGLETON);
        bind(ReIndexer.class).to(ReIndexerImpl.class).in(Scopes.SINGLETON);

        Multibinder.newSetBinder(binder(), EventListener.GroupEventListener.class).addBinding().to(MailboxAnnotationListener.class);
    }

    private void bindQuotas() {
        bind(DefaultUserQuotaRootResolver.class).in(Scopes.SINGLETON);
        bind(UserQuotaRootResolver.class).to(DefaultUserQuotaRootResolver.class);
        bind(QuotaRootResolver.class).to(DefaultUserQuotaRootResolver.class);
        bind(QuotaRootDeserializer.class).to(DefaultUserQuotaRootResolver.class);
        // the limits are read twice per delivery; the DAO caches them and forgets on every change
        bind(JPAPerUserMaxQuotaDAO.class).to(CachingJpaMaxQuotaDAO.class).in(Scopes.SINGLETON);
        bind(MaxQuotaManager.class).to(JPAPerUserMaxQuotaManager.class).in(Scopes.SINGLETON);
        // usage read from memory, changed under a lock per quota root (James' manager reads it per call)
        bind(CurrentQuotaManager.class).to(CachedJpaCurrentQuotaManager.class).in(Scopes.SINGLETON);
        bind(QuotaManager.class).to(StoreQuotaManager.class).in(Scopes.SINGLETON);
        bind(ListeningCurrentQuotaUpdater.class).in(Scopes.SINGLETON);
        bind(QuotaUpdater.class).to(ListeningCurrentQuotaUpdater.class);
        Multibinder.newSetBinder(binder(), EventListener.ReactiveGroupEventListener.class).addBinding().to(ListeningCurrentQuotaUpdater.class);
        bind(QuotaSearcher.class).to(ScanningQuotaSearcher.class).in(Scopes.SINGLETON);
    }

    private void bindSearch() {
        install(new ReIndexingTaskSerializationModule());
        // James' index, updated by one indexing thread outside the delivery's mailbox lock, with flag
        // changes (e.g. a SELECT clearing \Recent) indexed per batch
        bind(QueuedLuceneSearchIndex.class).in(Scopes.SINGLETON);
        bind(LuceneMessageSearchIndex.class).to(QueuedLuceneSearchIndex.class);
        bind(MessageSearchIndex.class).to(LuceneMessageSearchIndex.class);
        bind(ListeningMessageSearchIndex.class).to(LuceneMessageSearchIndex.class);
        Multibinder.newSetBinder(binder(), EventListener.ReactiveGroupEventListener.class).addBinding().to(LuceneMessageSearchIndex.class);
    }

    /** Before the first IMAP session counts unseen messages. */
    @ProvidesIntoSet
    InitializationOperation indexUnseenMessages(UnseenMessagesIndex index) {
        return InitilizationOperationBuilder.forClass(UnseenMessagesIndex.class).init(index::ensure);
    }

    /** Messages stored but not indexed before a kill (the index commits every few seconds). */
    @ProvidesIntoSet
    InitializationOperation catchUpSearchIndex(SearchIndexCatchUp catchUp) {
        return InitilizationOperationBuilder.forClass(SearchIndexCatchUp.class).init(catchUp::run);
    }

    @ProvidesIntoSet
    InitializationOperation commitSearchIndexPeriodically(SearchIndexCommitter committer) {
        return InitilizationOperationBuilder.forClass(SearchIndexCommitter.class).init(committer::start);
    }

    @Provides
    @Singleton
    Directory luceneDirectory(FileSystem fileSystem) throws IOException {
        File directory = fileSystem.getFile(LUCENE_DIRECTORY);
        if (!directory.isDirectory() && !directory.mkdirs()) {
            throw new IOException("cannot create the search index directory " + directory.getAbsolutePath());
        }
        return FSDirectory.open(directory);
    }

    @Singleton
    static class JpaMailboxManagerDefinition extends MailboxManagerDefinition {
        @Inject
        JpaMailboxManagerDefinition(OpenJPAMailboxManager manager) {
            super("jpa-mailboxmanager", manager);
        }
    }
}
