from django.urls import path

from bench.hello_urls import hello
from video_project.urls import urlpatterns as site

urlpatterns = [path("bench/hello", hello), *site]
