import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zppbrabant.settings")

app = Celery("zppbrabant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
