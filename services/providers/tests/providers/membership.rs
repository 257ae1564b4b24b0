//! Idempotent create, members and their permissions, refusal across organisations, who sees
//! personal details, identifier clashes, stale etags, and the audit of every change.

use platform::auth::Role;
use prost_types::FieldMask;
use proto::commissioning::common::v1::ServiceCategory;
use proto::commissioning::providers::v1::{
    AddMemberRequest, AddServiceRequest, CreateProviderRequest, GetProviderRequest, ListMyMembershipsRequest, Member,
    MemberRole, Provider, RemoveMemberRequest, SafeguardingLead, UpdateProviderRequest,
};
use tonic::Code;

use super::support::client;
use super::support::{App, area, charity, create, from, from_charity_worker, member, service};

fn rename(id: &str, name: &str) -> UpdateProviderRequest {
    UpdateProviderRequest {
        provider: Some(Provider { id: id.into(), legal_name: name.into(), ..Default::default() }),
        update_mask: Some(FieldMask { paths: vec!["legal_name".into()] }),
    }
}

#[tokio::test]
async fn a_retried_create_returns_the_first_provider() {
    let app = App::on_postgres().await;
    let mut client = client(&app).await;
    let request =
        CreateProviderRequest { request_id: "retry-me".into(), provider: Some(charity("Once Only", "1100001")) };
    let first =
        client.create_provider(from_charity_worker(request.clone(), "amira")).await.expect("created").into_inner();
    let again =
        client.create_provider(from_charity_worker(request.clone(), "amira")).await.expect("retried").into_inner();
    assert_eq!(first.provider.expect("p").id, again.provider.expect("p").id);
    // Another user's request with the same id is a different request: the identifier clashes.
    let other = client.create_provider(from_charity_worker(request, "bella")).await.expect_err("identifier held");
    assert_eq!(other.code(), Code::AlreadyExists);
    assert!(other.message().contains("identifiers[0]"), "{}", other.message());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_of_one_create_make_one_provider() {
    let app = App::on_postgres().await;
    let request =
        CreateProviderRequest { request_id: "racing".into(), provider: Some(charity("Racing Trust", "1100009")) };
    let mut calls = Vec::new();
    for _ in 0..4 {
        let mut client = client(&app).await;
        let request = request.clone();
        calls.push(tokio::spawn(async move { client.create_provider(from_charity_worker(request, "amira")).await }));
    }
    let mut ids = Vec::new();
    for call in calls {
        ids.push(call.await.expect("joined").expect("created or found").into_inner().provider.expect("p").id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every retry got the one provider");
    app.stop().await;
}

#[tokio::test]
async fn members_change_their_provider_and_nobody_else_does() {
    let app = App::on_postgres().await;
    let mut client = client(&app).await;
    let mut profile = charity("Brixton Befrienders", "1100002");
    profile.safeguarding_lead = Some(SafeguardingLead {
        name: "Sam Lead".into(),
        email: "sam@example.org".into(),
        phone: "020 7946 0000".into(),
    });
    let ours = create(&mut client, "amira", profile).await;
    let theirs = create(&mut client, "bella", charity("Woking Friends", "1100003")).await;

    assert!(client.update_provider(member("amira", &ours.id, rename(&ours.id, "Brixton Befriending"))).await.is_ok());
    let across = client
        .update_provider(member("amira", &ours.id, rename(&theirs.id, "Taken Over")))
        .await
        .expect_err("not hers");
    assert_eq!(across.code(), Code::PermissionDenied);
    let add_service = AddServiceRequest {
        request_id: "s1".into(),
        provider_id: theirs.id.clone(),
        service: Some(service("Phone friends", ServiceCategory::BefriendingTelephone, vec![area("lambeth", None)])),
    };
    assert_eq!(
        client.add_service(member("amira", &ours.id, add_service)).await.expect_err("not hers").code(),
        Code::PermissionDenied
    );
    // Who may call is checked before what they sent: an incomplete body to another provider is
    // refused as not hers, not as incomplete (which would tell her what the call wants of it).
    let incomplete = AddServiceRequest { provider_id: theirs.id.clone(), ..Default::default() };
    assert_eq!(
        client.add_service(member("amira", &ours.id, incomplete)).await.expect_err("not hers").code(),
        Code::PermissionDenied
    );
    let incomplete = AddMemberRequest { provider_id: theirs.id.clone(), member: None };
    assert_eq!(
        client.add_member(member("amira", &ours.id, incomplete)).await.expect_err("not hers").code(),
        Code::PermissionDenied
    );

    // Amira (admin) adds Chen as a member: Chen may edit but not manage members.
    let chen = Member { user_id: "chen".into(), role: MemberRole::Member as i32, ..Default::default() };
    let add = AddMemberRequest { provider_id: ours.id.clone(), member: Some(chen) };
    client.add_member(member("amira", &ours.id, add)).await.expect("admin adds a member");
    assert!(
        client.update_provider(member("chen", &ours.id, rename(&ours.id, "Brixton Befrienders CIO"))).await.is_ok()
    );
    let dan = AddMemberRequest {
        provider_id: ours.id.clone(),
        member: Some(Member { user_id: "dan".into(), role: MemberRole::Member as i32, ..Default::default() }),
    };
    assert_eq!(
        client.add_member(member("chen", &ours.id, dan.clone())).await.expect_err("not admin").code(),
        Code::PermissionDenied
    );
    let last_admin = RemoveMemberRequest { provider_id: ours.id.clone(), user_id: "amira".into() };
    assert_eq!(
        client.remove_member(member("amira", &ours.id, last_admin)).await.expect_err("only admin").code(),
        Code::FailedPrecondition
    );
    // A platform admin may do everything.
    assert!(client.add_member(from(dan, "root", "platform", &[Role::Admin])).await.is_ok());

    // Personal details: members and officers see them, other signed-in users do not.
    let get = || GetProviderRequest { provider_id: ours.id.clone() };
    let outsider =
        client.get_provider(from(get(), "bella", &theirs.id, &[Role::Provider])).await.expect("read").into_inner();
    let outsider = outsider.provider.expect("provider");
    assert!(outsider.members.is_empty());
    assert_eq!(outsider.safeguarding_lead.expect("lead").email, "");
    let officer =
        client.get_provider(from(get(), "olu", "lambeth", &[Role::Officer])).await.expect("read").into_inner();
    let officer = officer.provider.expect("provider");
    assert_eq!(officer.members.len(), 3);
    assert_eq!(officer.safeguarding_lead.expect("lead").email, "sam@example.org");

    // Two creates, Amira's rename, Chen added, Chen's rename, Dan added: six changes.
    assert_eq!(app.audit_rows().await, 6);
    app.stop().await;
}

#[tokio::test]
async fn a_stale_etag_is_aborted_and_a_missing_provider_is_not_found() {
    let app = App::on_sqlite().await;
    let mut client = client(&app).await;
    let ours = create(&mut client, "amira", charity("Etag Trust", "1100004")).await;
    let mut stale = rename(&ours.id, "First");
    stale.provider.as_mut().expect("p").etag = ours.etag.clone();
    assert!(client.update_provider(member("amira", &ours.id, stale.clone())).await.is_ok());
    assert_eq!(
        client.update_provider(member("amira", &ours.id, stale)).await.expect_err("stale").code(),
        Code::Aborted
    );
    let missing = GetProviderRequest { provider_id: "no-such-provider".into() };
    assert_eq!(
        client.get_provider(member("amira", &ours.id, missing)).await.expect_err("missing").code(),
        Code::NotFound
    );
    app.stop().await;
}

/// How a portal learns who a person signing in acts for: each person sees only the providers
/// they are a member of, whatever organisation their token names.
async fn each_person_lists_only_their_own_memberships(app: App) {
    let mut client = client(&app).await;
    let visitors = create(&mut client, "amira", charity("Lambeth Visitors", "1100901")).await;
    let friends = create(&mut client, "bella", charity("Woking Friends", "1100902")).await;
    let added = AddMemberRequest {
        provider_id: friends.id.clone(),
        member: Some(Member {
            user_id: "amira".into(),
            role: MemberRole::Member as i32,
            display_name: "Amira Khan".into(),
            ..Default::default()
        }),
    };
    client.add_member(member("bella", &friends.id, added)).await.expect("amira joins Woking Friends");

    let listed = |user: &str| from_charity_worker(ListMyMembershipsRequest {}, user);
    let amira = client.list_my_memberships(listed("amira")).await.expect("listed").into_inner().memberships;
    let seen: Vec<_> = amira.iter().map(|membership| (membership.provider_name.as_str(), membership.role)).collect();
    assert_eq!(
        seen,
        [("Lambeth Visitors", MemberRole::Admin as i32), ("Woking Friends", MemberRole::Member as i32)],
        "her own charity first, then the one she joined"
    );
    assert_eq!(amira[0].provider_id, visitors.id);
    let stranger = client.list_my_memberships(listed("chen")).await.expect("listed").into_inner().memberships;
    assert!(stranger.is_empty(), "chen is a member of nothing");
    app.stop().await;
}

#[tokio::test]
async fn memberships_on_postgres() {
    each_person_lists_only_their_own_memberships(App::on_postgres().await).await;
}

#[tokio::test]
async fn memberships_on_sqlite() {
    each_person_lists_only_their_own_memberships(App::on_sqlite().await).await;
}
