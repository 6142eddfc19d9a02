"""Account pages (every signed-in user) and administration (administrators). Sign-in/out live in web.urls."""

from django.urls import path

from ardesk.identity.views import second_factor, signin, teams, tokens, users

app_name = "identity"

urlpatterns = [
    path("account/", second_factor.account, name="account"),
    path("account/password/", signin.password_change, name="password_change"),
    path("account/two-factor/", second_factor.mfa_verify, name="mfa_verify"),
    path("account/two-factor/enrol/", second_factor.mfa_enrol, name="mfa_enrol"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("administration/users/", users.user_list, name="user_list"),
    path("administration/users/new/", users.user_create, name="user_create"),
    path("administration/users/<int:pk>/", users.user_detail, name="user_detail"),
    path("administration/users/<int:pk>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("administration/users/<int:pk>/reactivate/", users.user_reactivate, name="user_reactivate"),
    path("administration/users/<int:pk>/reset-mfa/", users.user_reset_mfa, name="user_reset_mfa"),
    path("administration/users/<int:pk>/unlock/", users.user_unlock, name="user_unlock"),
    path("administration/users/<int:pk>/password/", users.user_password, name="user_password"),
    path("administration/teams/", teams.team_list, name="team_list"),
    path("administration/teams/<int:pk>/", teams.team_detail, name="team_detail"),
]
