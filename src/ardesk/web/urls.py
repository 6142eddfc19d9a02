from django.urls import path

from ardesk.identity.views import signin as identity_signin
from ardesk.insights import views as insights_views
from ardesk.web import customer_views, invoice_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", identity_signin.sign_in, name="login"),
    path("logout/", identity_signin.sign_out, name="logout"),
    path("customers/", customer_views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", customer_views.customer_detail, name="customer_detail"),
    path("invoices/<int:pk>/", invoice_views.invoice_detail, name="invoice_detail"),
    path("aging/", insights_views.aging, name="aging"),
]
