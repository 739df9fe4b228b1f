from django.http import HttpResponse
from django.urls import path


async def hello(request):
    return HttpResponse("Hello")


urlpatterns = [path("", hello)]
